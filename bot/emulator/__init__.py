"""The strict Bot API emulator: one implementation for the end-to-end tests and ``valo-bot demo``.

``bot.emulator.telegram`` is a real HTTP server that answers like Telegram (and refuses what
Telegram refuses); the tests act as users through it, and the demo's browser page does the
same for a person.
"""
