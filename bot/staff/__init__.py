"""The staff's routes: `/admin/*` and the web preview. No channel: nobody the bot serves
reaches them, only staff, by the rule in `bot.admin_auth`."""
