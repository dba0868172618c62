/**
 * A preValidation hook for routes whose whole body is optional (POST …/rotate): an absent body
 * is read as {} so the body schema still checks whatever is sent.
 */
export const optionalBody = async (req: { body: unknown }) => {
  req.body ??= {};
};
