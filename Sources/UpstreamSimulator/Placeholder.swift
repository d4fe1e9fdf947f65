enum UpstreamSimulatorPlaceholder {}
