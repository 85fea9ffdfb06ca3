"""gfmd-protection-bot: the conversation and its channels (Telegram, SMS, WhatsApp)."""
