"""The audit log: who changed what, and when, among facilitators, officials and admins."""
