"""Valo: a Telegram assistant that helps families with children find the right service."""
