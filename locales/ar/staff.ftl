## أدوات الموظفين.

staff-flags-title = <b>بطاقات أبلغت العائلات عن خطأ فيها</b>
staff-flags-none = لا توجد بلاغات مفتوحة. شكرًا لأنك تحافظ على دقة المعلومات!
staff-flags-line = • { $service }: { $reason } ({ $count }×، آخرها { $date })
staff-flags-fixed = ✅ تم التصحيح: { $service }
staff-flags-resolved = { $count ->
    [zero] لم يُعالَج أي بلاغ.
    [one] عولج بلاغ واحد.
    [two] عولج بلاغان.
    [few] عولجت { $count } بلاغات.
    [many] عولج { $count } بلاغًا.
   *[other] عولج { $count } بلاغ.
}

# Sent once to every staff member when the nightly PTV sync has failed PTV_SYNC_ALERT_AFTER times in a row.
ptv-sync-failing =
    ⚠️ التحديث الليلي من دليل خدمات Suomi.fi لا ينجح.
    عدد التحديثات الفاشلة المتتالية: { $failures }.
    ما زالت العائلات ترى آخر معلومات وصلت. اطلب من المسؤول التقني فحص سجل الخادم (worker).
