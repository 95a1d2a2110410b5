# The HTTP API Twilio and browsers call. Routes map to the functions of main.tf; the $default stage
# deploys automatically and writes access logs (route keys only: paths would log photo tokens).

resource "aws_apigatewayv2_api" "edge" {
  name          = local.name
  protocol_type = "HTTP"
  description   = "BuddyHelps ${var.environment}: Twilio webhooks, call pages, photo uploads, admin"
}

resource "aws_apigatewayv2_integration" "function" {
  for_each = local.http_functions

  api_id                 = aws_apigatewayv2_api.edge.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.function[each.key].invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 30000
}

resource "aws_apigatewayv2_route" "route" {
  # checkov:skip=CKV_AWS_309: the callers are Twilio (X-Twilio-Signature checked in the function), the GPU worker (HMAC), holders of unguessable call/photo links, and the admin console (its own login): none can present an IAM or JWT authorizer
  for_each = local.routes

  api_id    = aws_apigatewayv2_api.edge.id
  route_key = each.key
  target    = "integrations/${aws_apigatewayv2_integration.function[each.value].id}"
}

resource "aws_cloudwatch_log_group" "api_access" {
  # checkov:skip=CKV_AWS_338: 30 days by default on purpose; raise log_retention_days if policy needs a year
  # checkov:skip=CKV_AWS_158: encrypted with the CloudWatch-owned key by default; set kms_key_arn for a customer key
  name              = "/aws/apigateway/${local.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.edge.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_burst_limit = var.api_throttle_burst_limit
    throttling_rate_limit  = var.api_throttle_rate_limit
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format = jsonencode({
      requestId        = "$context.requestId"
      time             = "$context.requestTime"
      routeKey         = "$context.routeKey"
      status           = "$context.status"
      latencyMs        = "$context.responseLatency"
      integrationMs    = "$context.integrationLatency"
      integrationError = "$context.integrationErrorMessage"
      sourceIp         = "$context.identity.sourceIp"
      userAgent        = "$context.identity.userAgent"
    })
  }
}
