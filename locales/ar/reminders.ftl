## التذكيرات وتغييرات الفعاليات.

reminder-day-before =
    ⏰ تذكير: الفعالية غدًا: <b>{ $title }</b>
    الموعد: { $when }
    المكان: { $place }
reminder-hour-before =
    ⏰ تبدأ الفعالية بعد ساعة: <b>{ $title }</b>
    الموعد: { $when }
    المكان: { $place }
event-moved =
    📅 تغيّر موعد الفعالية: <b>{ $title }</b>
    الموعد الجديد: { $when }
    تذكيرك ينتقل إلى الموعد الجديد.
event-cancelled =
    ❌ أُلغيت الفعالية: <b>{ $title }</b>، وحُذف تذكيرك بها.
