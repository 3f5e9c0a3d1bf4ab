// The SDK as users get it: the built package through its own `exports` map.
export { FlanksClient, MemoryTokenCache } from 'flanks-sdk';
export { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, startSandbox } from 'flanks-sdk/testing';
