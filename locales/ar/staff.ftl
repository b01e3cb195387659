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
