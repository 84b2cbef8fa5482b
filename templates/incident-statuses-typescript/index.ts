// The active part of an incident's lifecycle: three statuses, in the order incidents move through.
//
// `pulumi up` creates the statuses and puts them in this order at the top of the organisation's
// "live" category. The API key comes from the secret stack config `incident-statuses:apiKey` or
// from INCIDENT_API_KEY. A status the organisation already has by one of these names is not taken
// over: adopt it with `pulumi import incident-statuses:index:IncidentStatus NAME ID`.
import * as pulumi from "@pulumi/pulumi";
import * as incident from "@pulumi-incident-statuses/sdk";

const assessing = new incident.IncidentStatus("assessing", {
    name: "Assessing impact",
    description: "We're working out what is broken and who is affected.",
    category: "live",
});
const mitigating = new incident.IncidentStatus("mitigating", {
    name: "Mitigating",
    description: "The cause is known and a fix is under way.",
    category: "live",
});
const watching = new incident.IncidentStatus("watching", {
    name: "Watching the fix",
    description: "A fix is out; we're watching to be sure it holds.",
    category: "live",
});

const lifecycle = new incident.IncidentStatusOrder("lifecycle", {
    category: "live",
    statuses: [assessing.id, mitigating.id, watching.id],
});

export const statuses: pulumi.Output<string[]> = lifecycle.statuses;
