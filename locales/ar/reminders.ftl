## التذكيرات وتغييرات الفعاليات.

reminder-day-before =
    ⏰ تذكير: غدًا موعد <b>{ $title }</b>
    الموعد: { $when }
    المكان: { $place }
reminder-hour-before =
    ⏰ يبدأ بعد ساعة: <b>{ $title }</b>
    الموعد: { $when }
    المكان: { $place }
event-moved =
    📅 تغيّر موعد <b>{ $title }</b>.
    الموعد الجديد: { $when }
    تذكيرك ينتقل إلى الموعد الجديد.
event-cancelled =
    ❌ أُلغيت فعالية <b>{ $title }</b>، وحُذف تذكيرك بها.
