// The active part of an incident's lifecycle: three statuses, in the order incidents move through.
//
// `pulumi up` creates the statuses and puts them in this order at the top of the organisation's
// "live" category. The API key comes from the secret stack config `incident-statuses:apiKey` or
// from INCIDENT_API_KEY. A status the organisation already has by one of these names is not taken
// over: adopt it with `pulumi import incident-statuses:index:IncidentStatus NAME ID`.
import * as pulumi from "@pulumi/pulumi";
import * as incident from "@pulumi-incident-statuses/sdk";

const phases = [
    ["assessing", "Assessing impact", "We're working out what is broken and who is affected."],
    ["mitigating", "Mitigating", "The cause is known and a fix is under way."],
    ["watching", "Watching the fix", "A fix is out; we're watching to be sure it holds."],
];
const statuses = phases.map(
    ([resource, name, description]) =>
        new incident.IncidentStatus(resource, { name, description, category: "live" }),
);

const lifecycle = new incident.IncidentStatusOrder("lifecycle", {
    category: "live",
    statuses: statuses.map((status) => status.id),
});

export const listed: pulumi.Output<string[]> = lifecycle.statuses;
