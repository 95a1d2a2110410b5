# Voicemails transcribed (functions/voicemail): the job queue and its consumer.
#
# Twilio's recording callback (call_status) writes the job in the database and sends its id to SQS; the
# queue's Lambda consumer, voicemail_transcribe, downloads the recording from Twilio, has a worker's
# Whisper transcribe it (POST /transcribe with the worker token), stores the words on the call and texts
# and emails the owner. A failed attempt goes back to the queue with a growing delay; after its last
# attempt the job is `failed` in the database and shown in the console's jobs page (admin), whose retry
# sends it to the queue again. A message the consumer crashes on three times lands in the dead-letter queue.

locals {
  voicemail_consumer = "voicemail_transcribe"
  # The functions that put jobs on the queue: the recording callback, and the console's retry.
  voicemail_senders = toset(["call_status", "admin"])
}

resource "aws_sqs_queue" "voicemail_dead" {
  name                      = "${local.name}-voicemail-jobs-dead"
  message_retention_seconds = 1209600 # 14 days to look at what crashed the consumer
  sqs_managed_sse_enabled   = var.kms_key_arn == null ? true : null
  kms_master_key_id         = var.kms_key_arn
}

resource "aws_sqs_queue" "voicemail" {
  name                       = "${local.name}-voicemail-jobs"
  visibility_timeout_seconds = 1800 # six times the consumer's timeout, as AWS advises
  message_retention_seconds  = 86400
  sqs_managed_sse_enabled    = var.kms_key_arn == null ? true : null
  kms_master_key_id          = var.kms_key_arn
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.voicemail_dead.arn
    maxReceiveCount     = 3
  })
}

resource "aws_iam_role_policy" "voicemail_send" {
  for_each = local.voicemail_senders

  name = "voicemail-queue"
  role = aws_iam_role.function[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid      = "VoicemailQueue"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = aws_sqs_queue.voicemail.arn
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

resource "aws_cloudwatch_log_group" "voicemail" {
  # checkov:skip=CKV_AWS_338: 30 days by default on purpose (call metadata); raise log_retention_days if policy needs a year
  # checkov:skip=CKV_AWS_158: encrypted with the CloudWatch-owned key by default; set kms_key_arn for a customer key
  name              = "/aws/lambda/${local.name}-voicemail-transcribe"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_iam_role" "voicemail" {
  name = "${local.name}-voicemail-transcribe"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "voicemail" {
  name = "least-privilege"
  role = aws_iam_role.voicemail.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "WriteOwnLogs"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = "${aws_cloudwatch_log_group.voicemail.arn}:*"
        },
        {
          Sid      = "ReadAppSecret"
          Effect   = "Allow"
          Action   = ["secretsmanager:GetSecretValue"]
          Resource = aws_secretsmanager_secret.app.arn
        },
        {
          # Receive the jobs, and send a failed attempt's retry back with its delay.
          Sid      = "VoicemailQueue"
          Effect   = "Allow"
          Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:SendMessage"]
          Resource = aws_sqs_queue.voicemail.arn
        },
      ],
      var.kms_key_arn == null ? [] : [{
        Sid      = "UseCustomerKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = var.kms_key_arn
      }],
    )
  })
}

resource "aws_lambda_function" "voicemail" {
  # checkov:skip=CKV_AWS_116: the queue this function consumes has its own dead-letter queue (redrive policy)
  # checkov:skip=CKV_AWS_117: no VPC on purpose: the function calls Twilio, the workers, Resend and Turso on the internet
  # checkov:skip=CKV_AWS_272: code signing needs a Signer profile; the zip is built reproducibly by scripts/package_lambda.py
  # checkov:skip=CKV_AWS_115: concurrency is bounded by the event source's maximum_concurrency instead
  # checkov:skip=CKV_AWS_173: environment variables hold no secret (secrets are read from Secrets Manager at cold start)
  function_name    = "${local.name}-voicemail-transcribe"
  description      = "BuddyHelps ${local.voicemail_consumer} (SQS consumer)"
  role             = aws_iam_role.voicemail.arn
  runtime          = "python3.11"
  architectures    = [var.lambda_architecture]
  handler          = "functions.voicemail.voicemail_jobs.consume"
  filename         = var.lambda_zip_path
  source_code_hash = filebase64sha256(var.lambda_zip_path)
  memory_size      = var.lambda_memory_mb
  timeout          = 300 # a 2-minute voicemail downloaded, transcribed by a worker, stored and sent
  kms_key_arn      = var.kms_key_arn

  tracing_config {
    mode = var.tracing_mode
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.voicemail.name
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
      VOICEMAIL_QUEUE_URL    = aws_sqs_queue.voicemail.url
    }
  }

  depends_on = [aws_iam_role_policy.voicemail]
}

resource "aws_lambda_event_source_mapping" "voicemail" {
  event_source_arn = aws_sqs_queue.voicemail.arn
  function_name    = aws_lambda_function.voicemail.arn
  batch_size       = 1

  scaling_config {
    maximum_concurrency = 2 # the workers' Whisper takes recordings in turn anyway
  }
}
