# Notificaciones: mensajes para un usuario sobre algo que le concierne.
notifications-title = Notificaciones
notifications-none = No hay notificaciones.
notifications-mark-all-read = Marcar todas como leídas
notifications-all-read = Todas las notificaciones están marcadas como leídas.
