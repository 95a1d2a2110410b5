output "public_base_url" {
  description = "Base URL of the edge (PUBLIC_BASE_URL of the functions; FUNCTIONS_BASE_URL of the workers)."
  value       = local.public_base_url
}

output "voice_webhook_url" {
  description = "Set as the Voice webhook (HTTP POST) of each Twilio number: 'A call comes in'."
  value       = "${local.public_base_url}/incoming-call"
}

output "status_callback_url" {
  description = "Set as the Call status changes callback (HTTP POST) of each Twilio number."
  value       = "${local.public_base_url}/call-status"
}

output "call_complete_url" {
  description = "Where the GPU workers report finished calls (HMAC-signed)."
  value       = "${local.public_base_url}/api/call-complete"
}

output "admin_url" {
  description = "The admin console."
  value       = "${local.public_base_url}/admin"
}

output "health_url" {
  description = "GET it to check the edge and its database."
  value       = "${local.public_base_url}/healthz"
}

output "blob_bucket" {
  description = "The private bucket of photos and recordings."
  value       = aws_s3_bucket.blobs.id
}

output "app_secret_arn" {
  description = "ARN of the secret to fill with `aws secretsmanager put-secret-value` (the value is not managed here)."
  value       = aws_secretsmanager_secret.app.arn
}

output "function_names" {
  description = "Lambda function name per module."
  value       = { for key, fn in aws_lambda_function.function : key => fn.function_name }
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify."
  value       = local.alarm_topic_arn
}

output "worker_recordings_user" {
  description = "IAM user the GPU worker uploads call recordings as (create its access key outside Terraform)."
  value       = aws_iam_user.worker_recordings.name
}
