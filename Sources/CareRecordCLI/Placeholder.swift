enum _PlaceholderCareRecordCLI {}
