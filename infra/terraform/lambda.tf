# One function per deployable module of functions/, all built from the same zip (`make package`).
# Each has its own role holding only what that function does (least privilege).

resource "aws_cloudwatch_log_group" "function" {
  # checkov:skip=CKV_AWS_338: 30 days by default on purpose (call metadata); raise log_retention_days if policy needs a year
  # checkov:skip=CKV_AWS_158: encrypted with the CloudWatch-owned key by default; set kms_key_arn for a customer key
  for_each = local.functions

  name              = "/aws/lambda/${local.name}-${replace(each.key, "_", "-")}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_iam_role" "function" {
  for_each = local.functions

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

locals {
  # The inline policy of each function's role, as data so the tests can read it.
  function_policies = {
    for key, fn in local.functions : key => {
      Version = "2012-10-17"
      Statement = concat(
        [
          {
            Sid      = "WriteOwnLogs"
            Effect   = "Allow"
            Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
            Resource = "${aws_cloudwatch_log_group.function[key].arn}:*"
          },
          {
            Sid      = "ReadAppSecret"
            Effect   = "Allow"
            Action   = ["secretsmanager:GetSecretValue"]
            Resource = aws_secretsmanager_secret.app.arn
          },
          {
            # X-Ray accepts no resource-level restriction on these two actions.
            Sid      = "WriteTraces"
            Effect   = "Allow"
            Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
            Resource = "*"
          },
        ],
        length(fn.s3_actions) == 0 ? [] : [{
          Sid      = "BlobObjects"
          Effect   = "Allow"
          Action   = fn.s3_actions
          Resource = "${aws_s3_bucket.blobs.arn}/*"
        }],
        var.kms_key_arn == null ? [] : [{
          Sid      = "UseCustomerKey"
          Effect   = "Allow"
          Action   = length(fn.s3_actions) == 0 ? ["kms:Decrypt"] : ["kms:Decrypt", "kms:GenerateDataKey"]
          Resource = var.kms_key_arn
        }],
      )
    }
  }
}

resource "aws_iam_role_policy" "function" {
  for_each = local.functions

  name   = "least-privilege"
  role   = aws_iam_role.function[each.key].id
  policy = jsonencode(local.function_policies[each.key])
}

resource "aws_lambda_function" "function" {
  # checkov:skip=CKV_AWS_116: invoked synchronously by API Gateway; the one scheduled function (notification_retry) is idempotent and its next tick retries, so a DLQ adds nothing
  # checkov:skip=CKV_AWS_117: no VPC on purpose: the functions call Twilio, Resend and Turso on the internet and reach nothing private; a VPC would add a NAT gateway
  # checkov:skip=CKV_AWS_272: code signing needs a Signer profile; the zip is built reproducibly by scripts/package_lambda.py
  # checkov:skip=CKV_AWS_115: reserved concurrency is a variable (reserved_concurrency); new accounts have too little concurrency to reserve by default
  # checkov:skip=CKV_AWS_173: environment variables hold no secret (secrets are read from Secrets Manager at cold start); set kms_key_arn for a customer key
  for_each = local.functions

  function_name    = "${local.name}-${replace(each.key, "_", "-")}"
  description      = "BuddyHelps ${each.key} (${length(each.value.routes) > 0 ? join(", ", each.value.routes) : "scheduled"})"
  role             = aws_iam_role.function[each.key].arn
  runtime          = "python3.11"
  architectures    = [var.lambda_architecture]
  handler          = each.value.handler
  filename         = var.lambda_zip_path
  source_code_hash = filebase64sha256(var.lambda_zip_path)
  memory_size      = var.lambda_memory_mb
  timeout          = each.value.timeout
  kms_key_arn      = var.kms_key_arn

  reserved_concurrent_executions = var.reserved_concurrency

  tracing_config {
    mode = var.tracing_mode
  }

  logging_config {
    log_format = "Text" # the app already writes one JSON object per line
    log_group  = aws_cloudwatch_log_group.function[each.key].name
  }

  environment {
    variables = {
      BUDDYHELPS_ENV         = "production"
      BUDDYHELPS_LOG_LEVEL   = var.log_level
      BUDDYHELPS_SECRETS_ARN = aws_secretsmanager_secret.app.arn
      PUBLIC_BASE_URL        = local.public_base_url
      TWILIO_ACCOUNT_SID     = var.twilio_account_sid
      TWILIO_SMS_FROM        = var.twilio_sms_from
      TWILIO_SEND_SMS        = tostring(var.send_sms)
      EMAIL_FROM             = var.email_from
      TURSO_DATABASE_URL     = var.turso_database_url
      BLOB_BACKEND           = "s3"
      S3_BUCKET              = aws_s3_bucket.blobs.id
      VOICEMAIL_QUEUE_URL    = aws_sqs_queue.voicemail.url # infra/terraform/voicemail.tf
    }
  }

  depends_on = [aws_iam_role_policy.function]
}

resource "aws_lambda_permission" "api" {
  # One permission per route: only this API, only that method and path, may invoke the function.
  for_each = local.routes

  statement_id  = "AllowHttpApi-${substr(sha1(each.key), 0, 12)}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function[each.value].function_name
  principal     = "apigateway.amazonaws.com"
  source_arn = format(
    "%s/*/%s%s",
    aws_apigatewayv2_api.edge.execution_arn,
    split(" ", each.key)[0] == "ANY" ? "*" : split(" ", each.key)[0],
    split(" ", each.key)[1],
  )
}
