import type { Role } from '#lib/registry/partner.ts';

/**
 * The partners the hub is built for. Adding a partner is one entry here: the stack and the local
 * runner derive its outbox queue, DLQ, consumer and alarms from it. Keys, status and the callback
 * URL are runtime state in the trust registry (`npm run hub-admin`), not infrastructure.
 */
export interface PartnerSpec {
  /** Partner id: its `iss` in signatures, and part of its queue names. */
  id: string;
  name: string;
  roles: Role[];
  /**
   * GB/T 2260 code of the partner's jurisdiction (DOMAIN.md §1.1): `xx0000` for a provincial
   * department, `xxxx00` for a city's body. A credential issuer's licences must be issued within it.
   */
  divisionCode: string;
  /** Whether the hub sends this partner events (callbacks): gives it an outbox queue + DLQ. */
  callbacks: boolean;
  /** Adapter folder under adapters/ that translates for this partner, when it needs one. */
  adapter?: string;
}

export const partners: readonly PartnerSpec[] = [
  {
    id: 'sh-jtw',
    name: '上海市交通委员会',
    roles: ['province', 'credential-issuer', 'verifier'],
    divisionCode: '310000',
    callbacks: true,
  },
  {
    id: 'js-jtt',
    name: '江苏省交通运输厅',
    roles: ['province', 'credential-issuer', 'verifier'],
    divisionCode: '320000',
    callbacks: true,
  },
  {
    id: 'zj-jtt',
    name: '浙江省交通运输厅',
    roles: ['province', 'credential-issuer', 'verifier'],
    divisionCode: '330000',
    callbacks: true,
  },
  {
    id: 'ah-jtt',
    name: '安徽省交通运输厅',
    roles: ['province', 'credential-issuer', 'verifier'],
    divisionCode: '340000',
    callbacks: true,
  },
  {
    id: 'sh-yiwangtong',
    name: '上海市一网通办电子证照库',
    roles: ['municipal-platform'],
    divisionCode: '310000',
    callbacks: true,
    adapter: 'sh-yiwangtong',
  },
  {
    id: 'js-jianbi-lock',
    name: '谏壁船闸管理所',
    roles: ['lock-operator'],
    divisionCode: '321100',
    callbacks: true,
  },
  {
    id: 'zj-checkpoint-jiaxing',
    name: '嘉兴综合检查站',
    roles: ['verifier'],
    divisionCode: '330400',
    callbacks: false,
  },
];
