## `valo-bot catalog coverage`: الخدمات الأساسية للعائلات في كل بلدية (للموظفين).

coverage-intro = الخدمات الأساسية للعائلات حسب البلدية، من دليل الخدمات ومن الملف services_catalog/coverage.yaml.
coverage-legend = L: بطاقة لها مكان في البلدية، R: بطاقة إقليمية (مثل بطاقات منطقة خدمات الرفاه)، N: بطاقة على مستوى فنلندا، –: غير متوفرة هنا (الجدول أدناه يذكر المصدر وأقرب بديل)، ?: لم يتم التحقق (لم يتحقق منها أحد بعد؛ يمكن للعائلة أن تسأل خط الإرشاد في منطقة خدمات الرفاه).
coverage-municipality = البلدية
coverage-cards = البطاقات، أو سبب عدم وجودها
coverage-reach-local = محلية
coverage-reach-regional = إقليمية
coverage-reach-nationwide = على مستوى فنلندا
coverage-not-offered = غير متوفرة هنا ({ $source })؛ الأقرب: `{ $alternative }`
coverage-not-verified = لم يتم التحقق: يمكن للعائلة أن تسأل خط الإرشاد في منطقة خدمات الرفاه، `{ $advice }`
coverage-not-verified-no-advice = لم يتم التحقق، ولا توجد بعد بطاقة لخط الإرشاد في منطقة خدمات الرفاه
