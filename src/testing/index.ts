/**
 * Test helpers for flanks-sdk users: the CredentialStore conformance suite.
 *
 * @packageDocumentation
 */
export * from './store-contract';
