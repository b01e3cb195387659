"""Events: their occurrences and series, what staff change, cards and the upcoming list.

Between the catalogue (which events belong to) and delivery (which reminds about them): this
package imports the catalogue and never delivery. A change that families must hear about is
announced to an :class:`bot.events.store.EventChanged` listener the caller passes in.
"""
