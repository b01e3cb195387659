## Muistutukset ja tapahtumien muutokset.

reminder-day-before =
    ⏰ Muistutus: huomenna on <b>{ $title }</b>
    Milloin: { $when }
    Missä: { $place }
reminder-hour-before =
    ⏰ Alkaa tunnin päästä: <b>{ $title }</b>
    Milloin: { $when }
    Missä: { $place }
event-moved =
    📅 Tapahtuman aika on muuttunut: <b>{ $title }</b>
    Uusi aika: { $when }
    Muistutuksesi siirtyy uuteen aikaan.
event-cancelled =
    ❌ <b>{ $title }</b> on peruttu. Muistutuksesi siitä on poistettu.
