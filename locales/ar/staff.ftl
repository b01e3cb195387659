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

## نصوص يجب مراجعتها: تغيّرت معلومة في Suomi.fi كُتبت هذه النصوص بناءً عليها.
staff-reviews-title = <b>ترجمات يجب مراجعتها</b>
staff-reviews-intro = تغيّرت هذه المعلومات في دليل خدمات Suomi.fi. ترى العائلات الآن بيانات الاتصال وأوقات الدوام الجديدة. راجع نصوص هذه البطاقات: العربية والإنجليزية، والفنلندية المبسطة إن وُجدت.
staff-reviews-line = • { $service }: { $field }: { $old } ← { $new } ({ $date })
staff-reviews-more = { $count ->
    [one] …وتغيير آخر.
    [two] …وتغييران آخران.
    [few] …و{ $count } تغييرات أخرى.
    [many] …و{ $count } تغييرًا آخر.
   *[other] …و{ $count } تغيير آخر.
}
staff-reviews-done = ✅ تمت المراجعة: { $service }، { $field }
staff-reviews-marked = سُجّل أن هذا التغيير تمت مراجعته.
staff-reviews-gone = سُجّلت مراجعة هذا التغيير من قبل.
staff-review-field-name = الاسم
staff-review-field-summary = الملخص
staff-review-field-description = الوصف
staff-review-field-phone = الهاتف
staff-review-field-address = العنوان
staff-review-field-hours = أوقات العمل
staff-review-empty = (لا شيء)

# Sent once to every staff member when the nightly PTV sync has failed PTV_SYNC_ALERT_AFTER times in a row.
ptv-sync-failing =
    ⚠️ التحديث الليلي من دليل خدمات Suomi.fi لا ينجح.
    عدد التحديثات الفاشلة المتتالية: { $failures }.
    ما زالت العائلات ترى آخر معلومات وصلت. اطلب من المسؤول التقني فحص سجل الخادم (worker).
