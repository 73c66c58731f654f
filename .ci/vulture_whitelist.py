# Names vulture cannot see used: called by frameworks, required by their signatures, or stored for the record.
# ruff: noqa
# (vulture's whitelist syntax: each line names something as used)

# slack-bolt calls middleware's async_process(req, resp, next); Bolt's signature includes resp.
_.async_process
resp
# Microsoft 365 Agents SDK: host validator and error hook, handler signatures (context, state), card attributes.
_.is_allowed
_.on_turn_error
state
memo
_.attachments
# pydantic / pydantic-settings: validators, model_config and the settings sources hook with its signature.
model_config
_._closed_days_are_month_day
_._columns_name_known_fields
_._channels_name_a_platform
_._schedule_is_cron
_._guide_file_exists
_._gather_source_options
_._source_is_known
_._url
_._platforms_json_or_comma_list
_._platforms_are_names
_._send_time_is_a_time_of_day
_.settings_customise_sources
settings_cls
dotenv_settings
file_secret_settings
# Columns stored for the record (who ran a period, when a row was sent or changed, the document date).
updated_at
run_by
sent_at
doc_date
due_date
correspondent
# Test seam: the tests move the pinned clock.
_.advance_to
