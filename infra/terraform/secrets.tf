# One secret, a JSON object of the four secret settings. Terraform creates the container only: the
# value is put with the AWS CLI (docs/deploy.md), so it never enters the Terraform state. Each
# function reads it once per cold start (shared/secret_loader.py, via BUDDYHELPS_SECRETS_ARN).
#   {"TWILIO_AUTH_TOKEN": "...", "TURSO_AUTH_TOKEN": "...", "RESEND_API_KEY": "...",
#    "DASHBOARD_WEBHOOK_SECRET": "..."}

resource "aws_secretsmanager_secret" "app" {
  # checkov:skip=CKV2_AWS_57: third-party credentials (Twilio, Resend, Turso) are rotated in those consoles, then put here; no rotation Lambda can do it
  name_prefix             = "${local.name}-app-"
  description             = "BuddyHelps ${var.environment}: TWILIO_AUTH_TOKEN, TURSO_AUTH_TOKEN, RESEND_API_KEY, DASHBOARD_WEBHOOK_SECRET"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 7
}
