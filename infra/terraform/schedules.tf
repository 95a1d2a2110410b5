# Notifications retry on their own: an EventBridge schedule invokes the notification_retry function,
# which sends every SMS and email that is due (a failed attempt waits 30 s, 2 min, 10 min; after the
# last one it is given up, logged at ERROR and shown on the console's call page).

resource "aws_cloudwatch_event_rule" "notification_retry" {
  name                = "${local.name}-notification-retry"
  description         = "Send due notification retries (functions.notification_retry)"
  schedule_expression = "rate(${var.notification_retry_minutes} ${var.notification_retry_minutes == 1 ? "minute" : "minutes"})"
}

resource "aws_cloudwatch_event_target" "notification_retry" {
  rule = aws_cloudwatch_event_rule.notification_retry.name
  arn  = aws_lambda_function.function["notification_retry"].arn

  retry_policy {
    maximum_retry_attempts       = 0 # the next tick is the retry
    maximum_event_age_in_seconds = 60
  }
}

resource "aws_lambda_permission" "notification_retry_schedule" {
  statement_id  = "AllowEventBridgeSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function["notification_retry"].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.notification_retry.arn
}
