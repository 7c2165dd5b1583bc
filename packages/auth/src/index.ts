export { burnPasswordCheck, hashPassword, verifyPassword } from './password';
export { MIN_SECRET_BYTES, resolveAuthSecret, SecretError } from './secret';
export {
  ACCESS_TOKEN_TTL_SECONDS,
  type IssuedToken,
  SESSION_TOKEN_TTL_SECONDS,
  TokenError,
  type TokenErrorReason,
  type TokenKind,
  TokenService,
  VERIFIED_TOKEN_CACHE_SIZE,
  type VerifiedToken,
} from './tokens';
