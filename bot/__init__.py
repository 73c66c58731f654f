"""The platform-neutral bot: commands, access rules, replies, texts, delivery, scheduler, CLI and HTTP app."""
