"""Answer analysis: STAR labelling, checks and scoring."""
