"""``valo-bot demo``: the real bot in a browser chat, on the Bot API emulator.

Nothing here reaches Telegram or a real database: the bot talks to ``bot.emulator`` over HTTP
on loopback, and everything it stores goes to a throwaway SQLite file.
"""
