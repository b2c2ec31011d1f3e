// An independent OCPP-J charge point (ocpp-rpc in strictMode) that checks everything the Charge server
// sends against the official OCPP JSON schemas: our answers to its calls, and every command we send it.
//
// usage: node charge_point.js <ws-url> <identity> <ocpp1.6|ocpp2.0.1|ocpp2.1> <id-tag>
// stdout: one JSON line {"event":"ready"} once the session is running (the test then sends every command),
// and after "done" arrives on stdin, {"event":"report", failures, calls, received}.
'use strict';

const readline = require('node:readline');
const { RPCClient, createValidator } = require('ocpp-rpc');

const [url, identity, protocol, idTag] = process.argv.slice(2);
const failures = [];   // schema violations and unreadable frames: the point of this program
const calls = [];      // every call we made and whether the server's answer was accepted
const received = [];   // every command the server sent us

// ocpp-rpc 2.2.1 ships the OCPP 2.1 schemas under "urn:XRequest"/"urn:XResponse" ids while its strict
// mode looks them up as "urn:X.req"/"urn:X.conf"; renaming the ids makes strict mode work for 2.1 too.
function ocpp21Validator() {
  const schemas = require('ocpp-rpc/lib/schemas/ocpp2_1.json').map((schema) => ({
    ...schema,
    $id: schema.$id.replace(/Request$/, '.req').replace(/Response$/, '.conf'),
  }));
  return createValidator('ocpp2.1', schemas);
}

const client = new RPCClient({
  endpoint: url,
  identity,
  protocols: [protocol],
  strictMode: true,
  strictModeValidators: protocol === 'ocpp2.1' ? [ocpp21Validator()] : [],
  reconnect: false,
  callTimeoutMs: 10000,
  respondWithDetailedErrors: true,
});

client.on('strictValidationFailure', (event) => {
  failures.push({
    kind: event.outbound ? 'our own message (a bug in this script)' : 'sent by the server',
    method: event.method,
    message: event.isCall ? 'call' : 'result',
    error: event.error && event.error.message,
    params: event.params,
    result: event.result,
  });
});
client.on('badMessage', (event) => {
  failures.push({ kind: 'unreadable frame from the server', frame: String(event.buffer), error: event.error.message });
});

const now = () => new Date().toISOString();
const v16 = protocol === 'ocpp1.6';

// --------------------------------------------------------------------------- commands the server sends
function answer(method, reply) {
  client.handle(method, ({ params }) => {
    received.push({ method, params });
    return reply(params);
  });
}

const accepted = () => ({ status: 'Accepted' });
if (v16) {
  for (const method of ['RemoteStartTransaction', 'RemoteStopTransaction', 'Reset', 'ChangeAvailability',
    'TriggerMessage', 'ChangeConfiguration', 'SetChargingProfile', 'ClearCache', 'ReserveNow', 'CancelReservation']) {
    answer(method, accepted);
  }
  answer('UnlockConnector', () => ({ status: 'Unlocked' }));
  answer('GetConfiguration', (params) => ({
    configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }],
    unknownKey: (params.key || []).filter((k) => k !== 'HeartbeatInterval'),
  }));
} else {
  for (const method of ['RequestStartTransaction', 'RequestStopTransaction', 'Reset', 'ChangeAvailability',
    'TriggerMessage', 'SetChargingProfile', 'ClearCache', 'ReserveNow', 'CancelReservation']) {
    answer(method, accepted);
  }
  answer('UnlockConnector', () => ({ status: 'Unlocked' }));
  answer('GetVariables', (params) => ({
    getVariableResult: params.getVariableData.map((d) => ({
      attributeStatus: 'Accepted', component: d.component, variable: d.variable, attributeValue: '300',
    })),
  }));
  answer('SetVariables', (params) => ({
    setVariableResult: params.setVariableData.map((d) => ({
      attributeStatus: 'Accepted', component: d.component, variable: d.variable,
    })),
  }));
}

// --------------------------------------------------------------------------- what the charge point sends
async function call(method, params) {
  try {
    const result = await client.call(method, params);
    calls.push({ method, ok: true, result });
    return result;
  } catch (error) {
    calls.push({ method, ok: false, code: error.rpcErrorCode, error: error.message });
    return null;
  }
}

function samples16(wh) {
  return [{
    timestamp: now(),
    sampledValue: [
      { value: String(wh), context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
      { value: '7200', measurand: 'Power.Active.Import', unit: 'W' },
      { value: '16.1', measurand: 'Current.Import', phase: 'L1', unit: 'A' },
      { value: '231.0', measurand: 'Voltage', phase: 'L1-N', unit: 'V' },
      { value: '55', measurand: 'SoC', location: 'EV', unit: 'Percent' },
    ],
  }];
}

function samples201(wh, context) {
  return [{
    timestamp: now(),
    sampledValue: [
      { value: wh / 1000, context, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'kWh' } },
      { value: 7200, context, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } },
      { value: 55, context, measurand: 'SoC', location: 'EV', unitOfMeasure: { unit: 'Percent' } },
    ],
  }];
}

async function session16(done) {
  await call('BootNotification', { chargePointVendor: 'Conformance', chargePointModel: 'ocpp-rpc',
    chargePointSerialNumber: 'SN-1', firmwareVersion: '1.0' });
  await call('Heartbeat', {});
  await call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available', timestamp: now() });
  await call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: now() });
  await call('Authorize', { idTag });
  const started = await call('StartTransaction', { connectorId: 1, idTag, meterStart: 1000, timestamp: now() });
  const transactionId = started ? started.transactionId : 0;
  await call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging', timestamp: now() });
  await call('MeterValues', { connectorId: 1, transactionId, meterValue: samples16(2500) });
  await call('MeterValues', { connectorId: 0, meterValue: samples16(2500) });
  await call('DataTransfer', { vendorId: 'com.example', messageId: 'Hello', data: '{}' });
  await call('DiagnosticsStatusNotification', { status: 'Idle' });
  await call('FirmwareStatusNotification', { status: 'Idle' });
  await call('SecurityEventNotification', { type: 'StartupOfTheDevice', timestamp: now() });
  await call('LogStatusNotification', { status: 'Idle' });
  await done();
  await call('StopTransaction', { transactionId, idTag, meterStop: 6000, timestamp: now(), reason: 'Local',
    transactionData: samples16(6000) });
  await call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: now() });
  await call('Authorize', { idTag: 'UNKNOWN-TAG' });
}

async function session201(done) {
  const idToken = { idToken: idTag, type: 'Central' };
  const transactionId = 'conformance-tx-1';
  await call('BootNotification', { reason: 'PowerUp',
    chargingStation: { vendorName: 'Conformance', model: 'ocpp-rpc', serialNumber: 'SN-1', firmwareVersion: '1.0' } });
  await call('Heartbeat', {});
  await call('StatusNotification', { timestamp: now(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
  await call('Authorize', { idToken });
  await call('TransactionEvent', { eventType: 'Started', timestamp: now(), triggerReason: 'Authorized', seqNo: 0,
    transactionInfo: { transactionId, chargingState: 'Charging' }, evse: { id: 1, connectorId: 1 }, idToken,
    meterValue: samples201(1000, 'Transaction.Begin') });
  await call('TransactionEvent', { eventType: 'Updated', timestamp: now(), triggerReason: 'MeterValuePeriodic',
    seqNo: 1, transactionInfo: { transactionId, chargingState: 'Charging' }, offline: true,
    meterValue: samples201(2500, 'Sample.Periodic') });
  await call('MeterValues', { evseId: 0, meterValue: samples201(2500, 'Sample.Periodic') });
  await call('NotifyEvent', { generatedAt: now(), seqNo: 0, eventData: [{ eventId: 1, timestamp: now(),
    trigger: 'Delta', actualValue: 'Occupied', eventNotificationType: 'HardWiredNotification',
    component: { name: 'Connector', evse: { id: 1, connectorId: 1 } }, variable: { name: 'AvailabilityState' } }] });
  await call('NotifyReport', { requestId: 1, generatedAt: now(), seqNo: 0, reportData: [{
    component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' },
    variableAttribute: [{ value: '300' }] }] });
  await call('SecurityEventNotification', { type: 'StartupOfTheDevice', timestamp: now() });
  await call('FirmwareStatusNotification', { status: 'Idle' });
  await call('LogStatusNotification', { status: 'Idle' });
  await call('DataTransfer', { vendorId: 'com.example', messageId: 'Hello', data: { hello: 'world' } });
  await done();
  await call('TransactionEvent', { eventType: 'Ended', timestamp: now(), triggerReason: 'StopAuthorized', seqNo: 2,
    transactionInfo: { transactionId, stoppedReason: 'Local' }, idToken,
    meterValue: samples201(6000, 'Transaction.End') });
  await call('Authorize', { idToken: { idToken: 'UNKNOWN-TAG', type: 'Central' } });
}

function waitForDone() {
  const lines = readline.createInterface({ input: process.stdin });
  return new Promise((resolve) => {
    lines.on('line', (line) => { if (line.trim() === 'done') { lines.close(); resolve(); } });
    lines.on('close', resolve);
  });
}

async function main() {
  const guard = setTimeout(() => {
    failures.push({ kind: 'timeout', error: 'the conformance run took longer than 60 s' });
    report(1);
  }, 60000);
  await client.connect();
  const done = async () => {
    process.stdout.write(JSON.stringify({ event: 'ready' }) + '\n');
    await waitForDone();
  };
  await (v16 ? session16(done) : session201(done));
  await client.close({ code: 1000 });
  clearTimeout(guard);
  report(0);
}

function report(code) {
  process.stdout.write(JSON.stringify({ event: 'report', failures, calls, received }) + '\n');
  process.exit(code);
}

main().catch((error) => {
  failures.push({ kind: 'crash', error: String(error && error.stack || error) });
  report(1);
});
