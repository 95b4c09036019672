"""Line-level parsing shared by the legacy formats."""
