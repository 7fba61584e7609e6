"""Screens of the SurveyDesk app. Thin: they show state and call the domain."""
