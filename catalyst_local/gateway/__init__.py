"""The `/server/<function>/...` gateway that puts Advanced I/O functions behind one URL."""
