"""Surfaces that render answers: the Slack bot (``slack_app``, ``slack_blocks``) and the
Streamlit chat page (``streamlit_app``, ``chat_view``)."""
