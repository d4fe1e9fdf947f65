enum _PlaceholderCareRecordServer {}
