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
    📅 Tapahtuman <b>{ $title }</b> aika on muuttunut.
    Uusi aika: { $when }
    Muistutuksesi siirtyy uuteen aikaan.
event-cancelled =
    ❌ <b>{ $title }</b> on peruttu. Muistutuksesi siitä on poistettu.
