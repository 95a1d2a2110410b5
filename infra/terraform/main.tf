# The AWS edge of BuddyHelps: one Lambda function per deployable module of functions/ (all from the
# same zip), an HTTP API routing Twilio's webhooks and the pages to them, a private bucket for photos
# and recordings, one Secrets Manager secret, per-function IAM roles, log groups and alarms.

locals {
  name = "${var.name_prefix}-${var.environment}"

  tags = merge(var.tags, {
    Project     = "buddyhelps"
    Environment = var.environment
    ManagedBy   = "terraform"
  })

  # One entry per deployable module. `s3_actions` is everything that function may do to objects in
  # the blob bucket (presigned URLs are signed with the function's role, so a presigned upload needs
  # s3:PutObject here). API Gateway's integration timeout caps `timeout` at 29 s.
  functions = {
    incoming_call = {
      handler    = "functions.incoming_call.handler"
      routes     = ["POST /incoming-call", "POST /stream-end", "POST /twilio/transfer-end", "POST /twilio/menu"] # and the <Connect>/<Dial>/<Gather> actions
      timeout    = 10                                                                                            # Twilio waits 15 s for TwiML in all, cold start included
      s3_actions = []
    }
    call_status = {
      handler    = "functions.call_status.handler"
      routes     = ["POST /call-status"]
      timeout    = 20
      s3_actions = [] # recordings stay with Twilio; only their URL is stored
    }
    call_complete = {
      handler    = "functions.call_complete.handler"
      routes     = ["POST /api/call-complete", "POST /api/tool-action"] # the report, and the tools' deliveries
      timeout    = 29                                                   # stores the call and sends SMS + email before acknowledging the worker
      s3_actions = []
    }
    call_page = {
      handler    = "functions.call_page.handler"
      routes     = ["GET /c/{call_id}", "GET /c/{call_id}/recording"]
      timeout    = 10
      s3_actions = ["s3:GetObject"] # presigned links to photos; the call's recording streamed in ranges
    }
    photo_upload = {
      handler    = "functions.photo_upload.handler"
      routes     = ["GET /photo/{token}", "POST /photo/{token}"]
      timeout    = 29
      s3_actions = ["s3:PutObject"] # stores the checked image; the page shows no stored photo
    }
    admin = {
      handler    = "functions.admin.handler"
      routes     = ["ANY /admin", "ANY /admin/{proxy+}"]
      timeout    = 29
      s3_actions = ["s3:GetObject"] # presigned links on the call detail page
    }
    healthz = {
      handler    = "functions.healthz.handler"
      routes     = ["GET /healthz"]
      timeout    = 10
      s3_actions = []
    }
    notification_retry = {
      handler    = "functions.notification_retry.handler"
      routes     = [] # no HTTP route: the EventBridge schedule of schedules.tf invokes it
      timeout    = 29
      s3_actions = []
    }
    recording_retention = {
      handler    = "functions.recording_retention.handler"
      routes     = [] # no HTTP route: the hourly schedule of recording_retention.tf invokes it
      timeout    = 29
      s3_actions = ["s3:DeleteObject"] # recordings past their business's retention
    }
  }

  # The functions API Gateway invokes (the others run on a schedule).
  http_functions = { for key, fn in local.functions : key => fn if length(fn.routes) > 0 }

  # "METHOD /path" => function key
  routes = merge([for key, fn in local.functions : { for route in fn.routes : route => key }]...)

  public_base_url = var.public_base_url != "" ? var.public_base_url : aws_apigatewayv2_api.edge.api_endpoint
}
