// Command pulumi-resource-incident-statuses, as bench/ builds it: the smallest compiled provider
// that serves the plugin's IncidentStatus, a stand-in for a provider written in Go (incident.io's
// own is one, bridged from its Terraform provider). Built by bench/go_provider.py, never shipped.
//
// It calls the incident.io API with net/http and encoding/json, one request per operation, and a
// GET per resource on read, as a bridged Terraform provider does. Built with -X main.noIO=true it
// makes no request at all and answers from the values it is given: the benchmark's floor.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Set at build time: -ldflags "-X main.packageName=... -X main.noIO=true".
var (
	packageName = "incident-statuses"
	version     = "0.0.1"
	noIO        = "false"
)

const (
	defaultEndpoint = "https://api.incident.io"
	fixedTime       = "2026-01-01T00:00:00Z"
)

func main() {
	err := provider.Main(packageName, func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return newStatusProvider(), nil
	})
	if err != nil {
		cmdutil.ExitError(err.Error())
	}
}

// status is the API's incident status.
type status struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Category    string `json:"category,omitempty"`
	Rank        *int   `json:"rank,omitempty"`
	CreatedAt   string `json:"created_at,omitempty"`
	UpdatedAt   string `json:"updated_at,omitempty"`
}

type envelope struct {
	IncidentStatus status `json:"incident_status"`
}

type settings struct {
	apiKey   string
	endpoint string
}

type statusProvider struct {
	pulumirpc.UnimplementedResourceProviderServer
	statusType string
	noIO       bool
	client     *http.Client
	settings   atomic.Pointer[settings]
}

func newStatusProvider() *statusProvider {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	// Go keeps 2 idle connections per host by default; the engine sends dozens of calls at once,
	// so most requests would pay for a new connection.
	transport.MaxIdleConnsPerHost = 64
	return &statusProvider{
		statusType: packageName + ":index:IncidentStatus",
		noIO:       noIO == "true",
		client:     &http.Client{Transport: transport, Timeout: 60 * time.Second},
	}
}

// --- schema

func stringProperty(description string) map[string]any {
	return map[string]any{"type": "string", "description": description}
}

func (p *statusProvider) schema() ([]byte, error) {
	inputs := map[string]any{
		"name":        stringProperty("Unique name of the status."),
		"description": stringProperty("Rich-text description shown to responders."),
		"category":    stringProperty("`live`, `learning` or `closed`. Changing it replaces the status."),
		"rank":        map[string]any{"type": "integer", "description": "Order within the category."},
	}
	outputs := map[string]any{
		"createdAt": stringProperty("When the status was created (RFC 3339)."),
		"updatedAt": stringProperty("When the status last changed (RFC 3339)."),
	}
	for name, property := range inputs {
		outputs[name] = property
	}
	config := map[string]any{
		"apiKey":   map[string]any{"type": "string", "description": "incident.io API key.", "secret": true},
		"endpoint": stringProperty("incident.io API endpoint."),
	}
	return json.Marshal(map[string]any{
		"name":     packageName,
		"version":  version,
		"config":   map[string]any{"variables": config},
		"provider": map[string]any{"inputProperties": config},
		"resources": map[string]any{
			p.statusType: map[string]any{
				"description":     "An incident.io incident status.",
				"inputProperties": inputs,
				"requiredInputs":  []string{"name", "description", "category"},
				"properties":      outputs,
				"required":        []string{"name", "description", "category", "rank", "createdAt", "updatedAt"},
			},
		},
	})
}

func (p *statusProvider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	schema, err := p.schema()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetSchemaResponse{Schema: string(schema)}, nil
}

func (p *statusProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// --- configure

func (p *statusProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *statusProvider) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	var diffs []string
	for _, key := range []string{"apiKey", "endpoint"} {
		if text(req.GetOlds(), key) != text(req.GetNews(), key) {
			diffs = append(diffs, key)
		}
	}
	return diffResponse(diffs, nil), nil
}

// Configure takes the key and endpoint from the provider's arguments, else from the environment.
func (p *statusProvider) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	value := func(key, env string) string {
		if given := text(req.GetArgs(), key); given != "" {
			return given
		}
		if given := req.GetVariables()[packageName+":config:"+key]; given != "" {
			return given
		}
		return os.Getenv(env)
	}
	chosen := settings{apiKey: value("apiKey", "INCIDENT_API_KEY"), endpoint: value("endpoint", "INCIDENT_ENDPOINT")}
	if chosen.endpoint == "" {
		chosen.endpoint = defaultEndpoint
	}
	chosen.endpoint = strings.TrimRight(chosen.endpoint, "/")
	p.settings.Store(&chosen)
	return &pulumirpc.ConfigureResponse{}, nil
}

// --- check and diff

func (p *statusProvider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := p.knownType(req.GetType()); err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	for _, key := range []string{"name", "description", "category"} {
		value, ok := req.GetNews().GetFields()[key]
		if _, isString := value.GetKind().(*structpb.Value_StringValue); !ok || !isString || value.GetStringValue() == "" {
			failures = append(failures, &pulumirpc.CheckFailure{Property: key, Reason: key + ": required, a string"})
		}
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

func (p *statusProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	if err := p.knownType(req.GetType()); err != nil {
		return nil, err
	}
	olds, news := req.GetOlds().GetFields(), req.GetNews().GetFields()
	var changes, replaces []string
	for _, key := range []string{"name", "description"} {
		if olds[key].GetStringValue() != news[key].GetStringValue() {
			changes = append(changes, key)
		}
	}
	if rank, declared := news["rank"]; declared && !isNull(rank) && rank.GetNumberValue() != olds["rank"].GetNumberValue() {
		changes = append(changes, "rank")
	}
	if olds["category"].GetStringValue() != news["category"].GetStringValue() {
		replaces = append(replaces, "category")
	}
	return diffResponse(changes, replaces), nil
}

func diffResponse(changes, replaces []string) *pulumirpc.DiffResponse {
	response := &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_NONE,
		Replaces:        replaces,
		Diffs:           append(append([]string{}, changes...), replaces...),
		DetailedDiff:    map[string]*pulumirpc.PropertyDiff{},
		HasDetailedDiff: true,
		// Names are unique: the old status must go before a new one can take its name.
		DeleteBeforeReplace: len(replaces) > 0,
	}
	for _, key := range changes {
		response.DetailedDiff[key] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_UPDATE, InputDiff: true}
	}
	for _, key := range replaces {
		response.DetailedDiff[key] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_UPDATE_REPLACE, InputDiff: true}
	}
	if len(response.Diffs) > 0 {
		response.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return response
}

// --- create, read, update, delete

func (p *statusProvider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := p.knownType(req.GetType()); err != nil {
		return nil, err
	}
	wanted := fromInputs(req.GetProperties())
	made := wanted
	if p.noIO {
		made.ID, made.CreatedAt, made.UpdatedAt = "noop-"+wanted.Name, fixedTime, fixedTime
	} else {
		var created envelope
		if err := p.call(ctx, http.MethodPost, "/v1/incident_statuses", wanted, http.StatusCreated, &created); err != nil {
			return nil, err
		}
		made = created.IncidentStatus
	}
	properties, err := outputs(made)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: made.ID, Properties: properties}, nil
}

func (p *statusProvider) Read(ctx context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if err := p.knownType(req.GetType()); err != nil {
		return nil, err
	}
	found := fromInputs(req.GetProperties())
	found.ID = req.GetId()
	found.CreatedAt = text(req.GetProperties(), "createdAt")
	found.UpdatedAt = text(req.GetProperties(), "updatedAt")
	if !p.noIO {
		var read envelope
		err := p.call(ctx, http.MethodGet, "/v1/incident_statuses/"+url.PathEscape(req.GetId()), nil, http.StatusOK, &read)
		if isNotFound(err) {
			return &pulumirpc.ReadResponse{}, nil
		} else if err != nil {
			return nil, err
		}
		found = read.IncidentStatus
	}
	properties, err := outputs(found)
	if err != nil {
		return nil, err
	}
	inputs := map[string]any{"name": found.Name, "description": found.Description, "category": found.Category}
	// The rank is the program's only if it declared one: unset, it follows the dashboard.
	if rank, declared := req.GetInputs().GetFields()["rank"]; declared && !isNull(rank) && found.Rank != nil {
		inputs["rank"] = *found.Rank
	}
	inputStruct, err := structpb.NewStruct(inputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: found.ID, Properties: properties, Inputs: inputStruct}, nil
}

func (p *statusProvider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	if err := p.knownType(req.GetType()); err != nil {
		return nil, err
	}
	wanted := fromInputs(req.GetNews())
	updated := wanted
	if p.noIO {
		updated.ID, updated.CreatedAt, updated.UpdatedAt = req.GetId(), fixedTime, fixedTime
	} else {
		wanted.Category = ""
		var put envelope
		path := "/v1/incident_statuses/" + url.PathEscape(req.GetId())
		if err := p.call(ctx, http.MethodPut, path, wanted, http.StatusOK, &put); err != nil {
			return nil, err
		}
		updated = put.IncidentStatus
	}
	properties, err := outputs(updated)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: properties}, nil
}

func (p *statusProvider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	if err := p.knownType(req.GetType()); err != nil {
		return nil, err
	}
	if !p.noIO {
		path := "/v1/incident_statuses/" + url.PathEscape(req.GetId())
		if err := p.call(ctx, http.MethodDelete, path, nil, http.StatusAccepted, nil); err != nil && !isNotFound(err) {
			return nil, err
		}
	}
	return &emptypb.Empty{}, nil
}

func (p *statusProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// --- the API and the values

type apiError struct {
	status  int
	message string
}

func (e *apiError) Error() string { return e.message }

func isNotFound(err error) bool {
	failed, ok := err.(*apiError)
	return ok && failed.status == http.StatusNotFound
}

// call sends one request; any answer but `want` is an error with the API's message.
func (p *statusProvider) call(ctx context.Context, method, path string, body any, want int, out any) error {
	chosen := p.settings.Load()
	if chosen == nil {
		return fmt.Errorf("%s: the engine sent %s %s before configuring the provider", packageName, method, path)
	}
	var payload io.Reader
	if body != nil {
		encoded, err := json.Marshal(body)
		if err != nil {
			return err
		}
		payload = bytes.NewReader(encoded)
	}
	req, err := http.NewRequestWithContext(ctx, method, chosen.endpoint+path, payload)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+chosen.apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		var problem struct {
			RequestID string `json:"request_id"`
			Errors    []struct {
				Message string `json:"message"`
			} `json:"errors"`
		}
		_ = json.Unmarshal(data, &problem)
		message := strings.TrimSpace(string(data))
		if len(problem.Errors) > 0 {
			message = problem.Errors[0].Message
		}
		return &apiError{resp.StatusCode, fmt.Sprintf("incident.io answered %s %s with %d: %s (request id %s)",
			method, path, resp.StatusCode, message, problem.RequestID)}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

func (p *statusProvider) knownType(token string) error {
	if token != p.statusType {
		return fmt.Errorf("%s has no resource %q, only %s", packageName, token, p.statusType)
	}
	return nil
}

func text(values *structpb.Struct, key string) string {
	value := values.GetFields()[key].GetStringValue()
	if value == plugin.UnknownStringValue {
		return ""
	}
	return value
}

func isNull(value *structpb.Value) bool {
	_, null := value.GetKind().(*structpb.Value_NullValue)
	return value == nil || null
}

func fromInputs(values *structpb.Struct) status {
	record := status{
		Name:        text(values, "name"),
		Description: text(values, "description"),
		Category:    text(values, "category"),
	}
	if rank, ok := values.GetFields()["rank"]; ok && !isNull(rank) {
		number := int(rank.GetNumberValue())
		record.Rank = &number
	}
	return record
}

func outputs(record status) (*structpb.Struct, error) {
	rank := 0
	if record.Rank != nil {
		rank = *record.Rank
	}
	return structpb.NewStruct(map[string]any{
		"name":        record.Name,
		"description": record.Description,
		"category":    record.Category,
		"rank":        rank,
		"createdAt":   record.CreatedAt,
		"updatedAt":   record.UpdatedAt,
	})
}
