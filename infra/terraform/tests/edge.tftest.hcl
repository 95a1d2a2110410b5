# `terraform test` with a mocked AWS provider: runs offline, creates nothing. Mocked ARNs are random
# strings unless given here, so resources whose ARNs feed policies and routes get realistic defaults.

mock_provider "aws" {
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/buddyhelps-test"
    }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn        = "arn:aws:lambda:us-east-1:123456789012:function:buddyhelps-test"
      invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:buddyhelps-test/invocations"
    }
  }
  mock_resource "aws_apigatewayv2_api" {
    defaults = {
      id            = "abc123"
      api_endpoint  = "https://abc123.execute-api.us-east-1.amazonaws.com"
      execution_arn = "arn:aws:execute-api:us-east-1:123456789012:abc123"
    }
  }
  mock_resource "aws_s3_bucket" {
    defaults = {
      id  = "buddyhelps-test-blobs-1"
      arn = "arn:aws:s3:::buddyhelps-test-blobs-1"
    }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = {
      arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:buddyhelps-test-app-AbCdEf"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/buddyhelps-test"
    }
  }
  mock_resource "aws_cloudwatch_event_rule" {
    defaults = {
      arn = "arn:aws:events:us-east-1:123456789012:rule/buddyhelps-test-notification-retry"
    }
  }
  mock_resource "aws_sns_topic" {
    defaults = {
      arn = "arn:aws:sns:us-east-1:123456789012:buddyhelps-test-alarms"
    }
  }
}

variables {
  environment        = "test"
  lambda_zip_path    = "tests/fixtures/lambda.zip"
  twilio_account_sid = "AC0123456789abcdef0123456789abcdef"
  twilio_sms_from    = "+15551230000"
  email_from         = "BuddyHelps <calls@example.com>"
  turso_database_url = "libsql://buddyhelps-example.turso.io"
}

run "every_documented_route_reaches_its_function" {
  assert {
    condition = toset(keys(aws_apigatewayv2_route.route)) == toset([
      "POST /incoming-call", "POST /call-status", "POST /api/call-complete", "GET /c/{call_id}",
      "GET /photo/{token}", "POST /photo/{token}", "ANY /admin", "ANY /admin/{proxy+}", "GET /healthz",
      "POST /stream-end", "POST /twilio/transfer-end", "POST /twilio/menu", "POST /api/tool-action",
      "GET /c/{call_id}/recording",
    ])
    error_message = "The HTTP API must route exactly the paths of the design."
  }
  assert {
    condition     = aws_apigatewayv2_route.route["POST /incoming-call"].target == "integrations/${aws_apigatewayv2_integration.function["incoming_call"].id}"
    error_message = "POST /incoming-call must go to the incoming_call function."
  }
  assert {
    condition     = aws_apigatewayv2_route.route["POST /photo/{token}"].target == "integrations/${aws_apigatewayv2_integration.function["photo_upload"].id}"
    error_message = "Photo uploads must go to the photo_upload function."
  }
  assert {
    condition = { for k, f in aws_lambda_function.function : k => f.handler } == {
      incoming_call = "functions.incoming_call.handler"
      call_status   = "functions.call_status.handler"
      call_complete = "functions.call_complete.handler"
      call_page     = "functions.call_page.handler"
      photo_upload  = "functions.photo_upload.handler"
      admin         = "functions.admin.handler"
      healthz       = "functions.healthz.handler"

      notification_retry  = "functions.notification_retry.handler"
      recording_retention = "functions.recording_retention.handler"
    }
    error_message = "Each function must run its module's handler."
  }
  assert {
    condition     = alltrue([for f in aws_lambda_function.function : f.runtime == "python3.11" && f.timeout <= 29])
    error_message = "Functions run Python 3.11 and finish within API Gateway's 30 s integration timeout."
  }
  assert {
    condition     = aws_lambda_function.function["incoming_call"].timeout <= 10
    error_message = "/incoming-call must answer well inside Twilio's 15 s webhook budget."
  }
  assert {
    condition     = alltrue([for i in aws_apigatewayv2_integration.function : i.payload_format_version == "2.0" && i.integration_type == "AWS_PROXY"])
    error_message = "Integrations must be Lambda proxy, payload 2.0 (what Mangum reads)."
  }
  assert {
    condition     = aws_lambda_permission.api["GET /c/{call_id}"].source_arn == "arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/c/{call_id}"
    error_message = "Invoke permissions must be limited to this API and the function's own routes."
  }
  assert {
    condition     = aws_lambda_permission.api["ANY /admin/{proxy+}"].source_arn == "arn:aws:execute-api:us-east-1:123456789012:abc123/*/*/admin/{proxy+}"
    error_message = "ANY routes allow every method on their path only."
  }
}

run "webhook_urls_are_output_for_twilio" {
  assert {
    condition     = output.voice_webhook_url == "https://abc123.execute-api.us-east-1.amazonaws.com/incoming-call"
    error_message = "The voice webhook URL must be the API endpoint + /incoming-call."
  }
  assert {
    condition     = output.status_callback_url == "https://abc123.execute-api.us-east-1.amazonaws.com/call-status"
    error_message = "The status callback URL must be the API endpoint + /call-status."
  }
  assert {
    condition     = aws_lambda_function.function["incoming_call"].environment[0].variables["PUBLIC_BASE_URL"] == "https://abc123.execute-api.us-east-1.amazonaws.com"
    error_message = "Functions check Twilio signatures against the public URL Twilio calls."
  }
}

run "a_custom_domain_becomes_the_public_url" {
  variables {
    public_base_url = "https://calls.example.com"
  }
  assert {
    condition     = output.voice_webhook_url == "https://calls.example.com/incoming-call"
    error_message = "With public_base_url set, Twilio must be pointed at the custom domain."
  }
  assert {
    condition     = contains(one(aws_s3_bucket_cors_configuration.blobs.cors_rule).allowed_origins, "https://calls.example.com")
    error_message = "Browsers on the custom domain must be able to upload photos."
  }
}

run "secrets_come_from_secrets_manager_not_the_environment" {
  assert {
    condition     = alltrue([for f in aws_lambda_function.function : f.environment[0].variables["BUDDYHELPS_SECRETS_ARN"] == aws_secretsmanager_secret.app.arn])
    error_message = "Every function must be told which secret to read."
  }
  assert {
    condition = alltrue([for f in aws_lambda_function.function : length(setintersection(
      toset(keys(f.environment[0].variables)),
      toset(["TWILIO_AUTH_TOKEN", "TURSO_AUTH_TOKEN", "RESEND_API_KEY", "DASHBOARD_WEBHOOK_SECRET"]),
    )) == 0])
    error_message = "No secret may be set as a plain environment variable."
  }
  assert {
    condition     = alltrue([for f in aws_lambda_function.function : f.environment[0].variables["BUDDYHELPS_ENV"] == "production" && f.environment[0].variables["BLOB_BACKEND"] == "s3"])
    error_message = "Functions run in production mode against S3."
  }
}

run "each_role_holds_only_what_its_function_does" {
  assert {
    condition = alltrue(flatten([for p in aws_iam_role_policy.function : [
      for s in jsondecode(p.policy).Statement : [for a in flatten([s.Action]) : !strcontains(a, "*")]
    ]]))
    error_message = "No wildcard actions."
  }
  assert {
    condition = alltrue(flatten([for p in aws_iam_role_policy.function : [
      for s in jsondecode(p.policy).Statement : s.Resource != "*" || s.Sid == "WriteTraces"
    ]]))
    error_message = "Only X-Ray (which has no resource-level permissions) may use Resource \"*\"."
  }
  assert {
    condition     = !strcontains(aws_iam_role_policy.function["incoming_call"].policy, "s3:")
    error_message = "incoming_call must not touch the bucket."
  }
  assert {
    condition     = !strcontains(aws_iam_role_policy.function["healthz"].policy, "s3:") && !strcontains(aws_iam_role_policy.function["call_status"].policy, "s3:")
    error_message = "healthz and call_status must not touch the bucket."
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.function["photo_upload"].policy).Statement : s if s.Sid == "BlobObjects"]) == {
      Sid      = "BlobObjects"
      Effect   = "Allow"
      Action   = ["s3:PutObject"]
      Resource = "arn:aws:s3:::buddyhelps-test-blobs-1/*"
    }
    error_message = "photo_upload may only put objects into the blob bucket."
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.function["call_page"].policy).Statement : s.Action if s.Sid == "BlobObjects"]) == ["s3:GetObject"]
    error_message = "call_page only reads objects."
  }
  assert {
    condition = alltrue([for p in aws_iam_role_policy.function :
      one([for s in jsondecode(p.policy).Statement : s.Resource if s.Sid == "ReadAppSecret"]) == "arn:aws:secretsmanager:us-east-1:123456789012:secret:buddyhelps-test-app-AbCdEf"
    ])
    error_message = "Functions may read the app secret only."
  }
  assert {
    condition = alltrue([for p in aws_iam_role_policy.function :
      one([for s in jsondecode(p.policy).Statement : s.Action if s.Sid == "WriteOwnLogs"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    ])
    error_message = "Functions write to their own log group and cannot create others."
  }
  assert {
    condition     = alltrue([for r in aws_iam_role.function : jsondecode(r.assume_role_policy).Statement[0].Principal.Service == "lambda.amazonaws.com"])
    error_message = "Only Lambda may assume the function roles."
  }
}

run "a_customer_key_is_granted_only_where_used" {
  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.function["incoming_call"].policy).Statement : s.Action if s.Sid == "UseCustomerKey"]) == ["kms:Decrypt"]
    error_message = "A function that writes no object only needs kms:Decrypt (secret, environment)."
  }
  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.blobs.rule).apply_server_side_encryption_by_default).kms_master_key_id == var.kms_key_arn
    error_message = "The bucket must use the customer key when one is given."
  }
}

run "the_bucket_is_private_encrypted_and_expires_blobs" {
  assert {
    condition = (aws_s3_bucket_public_access_block.blobs.block_public_acls && aws_s3_bucket_public_access_block.blobs.block_public_policy
    && aws_s3_bucket_public_access_block.blobs.ignore_public_acls && aws_s3_bucket_public_access_block.blobs.restrict_public_buckets)
    error_message = "All public access must be blocked."
  }
  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.blobs.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    error_message = "Objects must be encrypted with KMS."
  }
  assert {
    condition     = aws_s3_bucket_ownership_controls.blobs.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled."
  }
  assert {
    condition = { for r in aws_s3_bucket_lifecycle_configuration.blobs.rule : r.id => [r.filter[0].prefix, r.expiration[0].days] if r.id != "cleanup" } == {
      "expire-call-photos" = ["calls/photos/", 365]
    }
    error_message = "Call photos (calls/photos/...) must expire after their retention; recordings follow each business's own retention."
  }
  assert {
    condition     = one([for r in aws_s3_bucket_lifecycle_configuration.blobs.rule : r.abort_incomplete_multipart_upload[0].days_after_initiation if r.id == "cleanup"]) == 1
    error_message = "Abandoned uploads must be cleaned up."
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.blobs.policy).Statement[0].Condition.Bool["aws:SecureTransport"] == "false" && jsondecode(aws_s3_bucket_policy.blobs.policy).Statement[0].Effect == "Deny"
    error_message = "Plain-HTTP access must be denied."
  }
  assert {
    condition     = toset(one(aws_s3_bucket_cors_configuration.blobs.cors_rule).allowed_origins) == toset(["https://abc123.execute-api.us-east-1.amazonaws.com"])
    error_message = "Only the edge's own origin may upload from a browser by default."
  }
}

run "logs_are_kept_for_the_retention_and_never_hold_paths" {
  assert {
    condition     = alltrue([for g in aws_cloudwatch_log_group.function : g.retention_in_days == 30]) && aws_cloudwatch_log_group.api_access.retention_in_days == 30
    error_message = "Every log group must have a retention."
  }
  assert {
    condition     = !strcontains(aws_apigatewayv2_stage.default.access_log_settings[0].format, "$context.path") && strcontains(aws_apigatewayv2_stage.default.access_log_settings[0].format, "$context.routeKey")
    error_message = "Access logs record route keys, never paths (which carry photo tokens)."
  }
  assert {
    condition     = alltrue([for f in aws_lambda_function.function : f.logging_config[0].log_group == aws_cloudwatch_log_group.function[replace(trimprefix(f.function_name, "buddyhelps-test-"), "-", "_")].name])
    error_message = "Each function logs to its own group."
  }
}

run "alarms_notify_a_created_topic_by_default" {
  assert {
    condition     = length(aws_sns_topic.alarms) == 1 && aws_cloudwatch_metric_alarm.api_5xx.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:buddyhelps-test-alarms"])
    error_message = "Without a topic given, one is created and the 5xx alarm notifies it."
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.function_throttles) == 9 && length(aws_cloudwatch_metric_alarm.function_errors) == 9
    error_message = "Every function has an errors alarm and a throttles alarm."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.api_5xx.metric_name == "5xx" && aws_cloudwatch_metric_alarm.api_5xx.dimensions["ApiId"] == "abc123"
    error_message = "The 5xx alarm watches this API."
  }
}

run "alarms_use_a_given_topic" {
  variables {
    alarm_sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:ops-pager"
  }
  assert {
    condition     = length(aws_sns_topic.alarms) == 0 && aws_cloudwatch_metric_alarm.function_throttles["incoming_call"].alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:ops-pager"])
    error_message = "A given topic is used and none is created."
  }
}

run "a_malformed_account_sid_is_refused" {
  command = plan
  variables {
    twilio_account_sid = "not-a-sid"
  }
  expect_failures = [var.twilio_account_sid]
}

run "an_unknown_architecture_is_refused" {
  command = plan
  variables {
    lambda_architecture = "mips"
  }
  expect_failures = [var.lambda_architecture]
}

run "notifications_retry_on_a_schedule" {
  assert {
    condition     = aws_cloudwatch_event_rule.notification_retry.schedule_expression == "rate(1 minute)"
    error_message = "The notification retry runs every minute by default."
  }
  assert {
    condition     = aws_lambda_permission.notification_retry_schedule.principal == "events.amazonaws.com" && aws_lambda_permission.notification_retry_schedule.source_arn == aws_cloudwatch_event_rule.notification_retry.arn
    error_message = "Only the schedule's rule may invoke the retry function."
  }
  assert {
    condition     = !contains(keys(aws_apigatewayv2_integration.function), "notification_retry")
    error_message = "The retry function has no HTTP route."
  }
  assert {
    condition     = aws_apigatewayv2_route.route["POST /stream-end"].target == "integrations/${aws_apigatewayv2_integration.function["incoming_call"].id}"
    error_message = "The stream's <Connect action> is answered by the incoming_call function."
  }
}

run "the_worker_may_only_put_call_recordings" {
  assert {
    condition     = jsondecode(aws_iam_user_policy.worker_recordings.policy).Statement[0].Action == ["s3:PutObject"]
    error_message = "The GPU worker's user may only put objects."
  }
  assert {
    condition     = endswith(jsondecode(aws_iam_user_policy.worker_recordings.policy).Statement[0].Resource, "/calls/recordings/*")
    error_message = "The GPU worker's user may only write under calls/recordings/."
  }
}
