# Notifications: messages for one user about something that needs them.
notifications-title = Notifications
notifications-none = No notifications.
notifications-mark-all-read = Mark all as read
notifications-all-read = All notifications are marked as read.
