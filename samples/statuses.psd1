# CRM status -> Metrica status (IN_PROGRESS, PAID, CANCELLED, SPAM, or a JS goal id of the counter).
# Keys match ignoring case, spaces and ё/е.
@{
    'new'       = 'IN_PROGRESS'
    'в работе'  = 'IN_PROGRESS'
    'paid'      = 'PAID'
    'cancelled' = 'CANCELLED'
}
