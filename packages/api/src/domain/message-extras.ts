/**
 * The parts of a `Message` that live in other rows: its reactions and the quote of the
 * message it replies to. Each is one correlated subquery (indexed by primary key), so every
 * read path gets the same shape from the same SQL.
 */

/** `Message.reactions` of the message whose id is the SQL expression `id`. */
export const reactionsSql = (id: string) => `coalesce((
  select json_agg(json_build_object('emoji', r.emoji, 'count', r.n, 'userIds', r.ids)
                  order by r.first_at, r.emoji)
  from (select emoji, count(*)::int as n, array_agg(user_id order by created_at, user_id) as ids,
               min(created_at) as first_at
        from message_reactions where message_id = ${id} group by emoji) r), '[]'::json)`;

/** `Message.replyTo` for the SQL expression `replyToId` (null when it is null). */
export const replyToSql = (replyToId: string) => `(
  select json_build_object('id', q.id, 'seq', q.seq, 'senderId', q.sender_id, 'senderName', qu.name,
         'excerpt', case when q.deleted_at is null then left(q.content, 140) else '' end,
         'deleted', q.deleted_at is not null)
  from messages q left join users qu on qu.id = q.sender_id where q.id = ${replyToId})`;

/** Both, for a select over `messages m`. */
export const extraColumnsSql = `${reactionsSql('m.id')} as reactions, ${replyToSql('m.reply_to_id')} as "replyTo"`;
