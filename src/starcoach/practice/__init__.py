"""Practice: drills, mock interviews, follow-ups, spoken answers and review scheduling."""
