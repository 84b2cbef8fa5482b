"""Manage incident.io incident statuses as Pulumi resources."""
