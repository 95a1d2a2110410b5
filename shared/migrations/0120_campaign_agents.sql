-- A campaign runs its own agent (tracker issue 13): the definition line (agent_definitions.purpose) and
-- the version its calls use, pinned when the campaign is made. An agent given for the campaign is kept
-- under the business as purpose 'campaign_<id>'; otherwise the business's own line at that moment.
-- So editing or replacing the business's receptionist never changes what a campaign already ringing
-- says, and a campaign's callee never hears the business's inbound agent.
ALTER TABLE outbound_campaigns ADD COLUMN agent_purpose TEXT NOT NULL DEFAULT 'inbound';
ALTER TABLE outbound_campaigns ADD COLUMN agent_version INTEGER;

-- Campaigns made before this ran the business's active definition: pin the one active now.
UPDATE outbound_campaigns SET agent_version = (
  SELECT a.version FROM agent_definition_active a
  WHERE a.business_id = outbound_campaigns.business_id AND a.purpose = 'inbound'
);
