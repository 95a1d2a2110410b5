# Call recordings are kept for their business's retention days: an hourly EventBridge schedule invokes
# the recording_retention function, which deletes older recordings from the bucket and clears them on
# their calls (functions/recording_retention.py).

resource "aws_cloudwatch_event_rule" "recording_retention" {
  name                = "${local.name}-recording-retention"
  description         = "Delete call recordings past their business's retention (functions.recording_retention)"
  schedule_expression = "rate(1 hour)"
}

resource "aws_cloudwatch_event_target" "recording_retention" {
  rule = aws_cloudwatch_event_rule.recording_retention.name
  arn  = aws_lambda_function.function["recording_retention"].arn

  retry_policy {
    maximum_retry_attempts       = 0 # the next hour is the retry
    maximum_event_age_in_seconds = 3600
  }
}

resource "aws_lambda_permission" "recording_retention_schedule" {
  statement_id  = "AllowEventBridgeSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function["recording_retention"].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.recording_retention.arn
}
