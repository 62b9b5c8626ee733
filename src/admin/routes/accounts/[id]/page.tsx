import { useParams } from "react-router-dom"
import { AccountDetail } from "../../../components/account-detail"

const AccountPage = () => {
  const { id } = useParams()
  return <AccountDetail id={id!} />
}

export default AccountPage
