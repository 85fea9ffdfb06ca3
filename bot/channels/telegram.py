def mount(app, runtime): from bot.app import ChannelStatus; return ChannelStatus("telegram", False, "placeholder")
