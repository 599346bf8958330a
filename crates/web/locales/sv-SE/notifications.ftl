# Aviseringar: meddelanden till en användare om något som rör hen.
notifications-title = Aviseringar
notifications-none = Inga aviseringar.
notifications-mark-all-read = Markera alla som lästa
notifications-all-read = Alla aviseringar är markerade som lästa.
