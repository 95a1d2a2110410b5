# Outbound calls (functions/outbound): Twilio's webhooks for calls we place, and the call-job queue.
#
# EventBridge Scheduler invokes outbound_dispatch every minute: it claims the due jobs (calling hours,
# do-not-call, rate, attempts) for as many calls as the workers have free seats, and sends each to SQS.
# The queue's Lambda consumer, outbound_dial, places each call with Twilio (at most
# outbound_max_concurrency at once). The jobs themselves live in the database (Turso), so a lost
# message costs at most one attempt; the consumer skips a job it already dialled (at-least-once delivery).

variable "outbound_max_concurrency" {
  description = "Outbound calls dialled at once at most (the SQS consumer's maximum concurrency; 2..1000)."
  type        = number
  default     = 10
  validation {
    condition     = var.outbound_max_concurrency >= 2 && var.outbound_max_concurrency <= 1000
    error_message = "outbound_max_concurrency must be between 2 and 1000 (SQS event source limits)."
  }
}

locals {
  outbound_functions = {
    outbound_calls = {
      handler = "functions.outbound.call_events.handler"
      timeout = 10 # Twilio's answer webhook wants TwiML within 15 s
      routes  = ["POST /outbound/answer", "POST /outbound/status", "POST /outbound/amd"]
      sqs     = []
    }
    outbound_dispatch = {
      handler = "functions.outbound.call_queue.handler"
      timeout = 60
      routes  = []
      sqs     = ["sqs:SendMessage"]
    }
    outbound_dial = {
      handler = "functions.outbound.call_queue.consume"
      timeout = 30
      routes  = []
      sqs     = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    }
  }
  outbound_routes = merge([for key, fn in local.outbound_functions : { for route in fn.routes : route => key }]...)
}

resource "aws_sqs_queue" "outbound_dead" {
  name                    = "${local.name}-outbound-calls-dead"
  sqs_managed_sse_enabled = var.kms_key_arn == null ? true : null
  kms_master_key_id       = var.kms_key_arn
}

resource "aws_sqs_queue" "outbound_calls" {
  name                       = "${local.name}-outbound-calls"
  visibility_timeout_seconds = 180 # six times the consumer's timeout, as AWS advises
  message_retention_seconds  = 3600
  sqs_managed_sse_enabled    = var.kms_key_arn == null ? true : null
  kms_master_key_id          = var.kms_key_arn
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.outbound_dead.arn
    maxReceiveCount     = 3
  })
}

resource "aws_cloudwatch_log_group" "outbound" {
  # checkov:skip=CKV_AWS_338: 30 days by default on purpose (call metadata); raise log_retention_days if policy needs a year
  # checkov:skip=CKV_AWS_158: encrypted with the CloudWatch-owned key by default; set kms_key_arn for a customer key
  for_each = local.outbound_functions

  name              = "/aws/lambda/${local.name}-${replace(each.key, "_", "-")}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_iam_role" "outbound" {
  for_each = local.outbound_functions

  name = "${local.name}-${replace(each.key, "_", "-")}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "outbound" {
  for_each = local.outbound_functions

  name = "least-privilege"
  role = aws_iam_role.outbound[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "WriteOwnLogs"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = "${aws_cloudwatch_log_group.outbound[each.key].arn}:*"
        },
        {
          Sid      = "ReadAppSecret"
          Effect   = "Allow"
          Action   = ["secretsmanager:GetSecretValue"]
          Resource = aws_secretsmanager_secret.app.arn
        },
      ],
      length(each.value.sqs) == 0 ? [] : [{
        Sid      = "OutboundQueue"
        Effect   = "Allow"
        Action   = each.value.sqs
        Resource = aws_sqs_queue.outbound_calls.arn
      }],
      var.kms_key_arn == null ? [] : [{
        Sid      = "UseCustomerKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = var.kms_key_arn
      }],
    )
  })
}

resource "aws_lambda_function" "outbound" {
  # checkov:skip=CKV_AWS_116: the dispatcher's next tick retries; the dialler's queue has a dead-letter queue; the webhook answers Twilio synchronously
  # checkov:skip=CKV_AWS_117: no VPC on purpose: the functions call Twilio and Turso on the internet and reach nothing private
  # checkov:skip=CKV_AWS_272: code signing needs a Signer profile; the zip is built reproducibly by scripts/package_lambda.py
  # checkov:skip=CKV_AWS_115: the dialler's concurrency is bounded by the event source's maximum_concurrency instead
  # checkov:skip=CKV_AWS_173: environment variables hold no secret (secrets are read from Secrets Manager at cold start)
  for_each = local.outbound_functions

  function_name    = "${local.name}-${replace(each.key, "_", "-")}"
  description      = "BuddyHelps ${each.key}"
  role             = aws_iam_role.outbound[each.key].arn
  runtime          = "python3.11"
  architectures    = [var.lambda_architecture]
  handler          = each.value.handler
  filename         = var.lambda_zip_path
  source_code_hash = filebase64sha256(var.lambda_zip_path)
  memory_size      = var.lambda_memory_mb
  timeout          = each.value.timeout
  kms_key_arn      = var.kms_key_arn

  tracing_config {
    mode = var.tracing_mode
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.outbound[each.key].name
  }

  environment {
    variables = {
      BUDDYHELPS_ENV         = "production"
      BUDDYHELPS_LOG_LEVEL   = var.log_level
      BUDDYHELPS_SECRETS_ARN = aws_secretsmanager_secret.app.arn
      PUBLIC_BASE_URL        = local.public_base_url
      TWILIO_ACCOUNT_SID     = var.twilio_account_sid
      TURSO_DATABASE_URL     = var.turso_database_url
      OUTBOUND_QUEUE_URL     = aws_sqs_queue.outbound_calls.url
    }
  }

  depends_on = [aws_iam_role_policy.outbound]
}

# Twilio's webhooks for outbound calls, on the same HTTP API as the inbound ones.
resource "aws_apigatewayv2_integration" "outbound" {
  api_id                 = aws_apigatewayv2_api.edge.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.outbound["outbound_calls"].invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 30000
}

resource "aws_apigatewayv2_route" "outbound" {
  # checkov:skip=CKV_AWS_309: Twilio is the caller; X-Twilio-Signature is checked in the function
  for_each = local.outbound_routes

  api_id    = aws_apigatewayv2_api.edge.id
  route_key = each.key
  target    = "integrations/${aws_apigatewayv2_integration.outbound.id}"
}

resource "aws_lambda_permission" "outbound_api" {
  for_each = local.outbound_routes

  statement_id  = "AllowHttpApi-${substr(sha1(each.key), 0, 12)}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.outbound[each.value].function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = format("%s/*/%s%s", aws_apigatewayv2_api.edge.execution_arn, split(" ", each.key)[0], split(" ", each.key)[1])
}

resource "aws_lambda_event_source_mapping" "outbound_dial" {
  event_source_arn = aws_sqs_queue.outbound_calls.arn
  function_name    = aws_lambda_function.outbound["outbound_dial"].arn
  batch_size       = 1

  scaling_config {
    maximum_concurrency = var.outbound_max_concurrency
  }
}

resource "aws_iam_role" "outbound_scheduler" {
  name = "${local.name}-outbound-scheduler"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "scheduler.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "outbound_scheduler" {
  name = "invoke-dispatch"
  role = aws_iam_role.outbound_scheduler.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["lambda:InvokeFunction"]
      Resource = aws_lambda_function.outbound["outbound_dispatch"].arn
    }]
  })
}

resource "aws_scheduler_schedule" "outbound_dispatch" {
  name                = "${local.name}-outbound-dispatch"
  description         = "Claim due outbound call jobs and queue them (functions.outbound.call_queue)"
  schedule_expression = "rate(1 minute)"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.outbound["outbound_dispatch"].arn
    role_arn = aws_iam_role.outbound_scheduler.arn

    retry_policy {
      maximum_retry_attempts       = 0 # the next tick is the retry
      maximum_event_age_in_seconds = 60
    }
  }
}
