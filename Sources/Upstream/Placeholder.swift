enum _PlaceholderUpstream {}
