"""rasa-sdk custom actions: thin translators between the conversation and the store."""
